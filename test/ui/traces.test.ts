/**
 * The Traces page (an experiment's traces) and the Trace page (one trace's spans, details and
 * assessments) in a real browser against a real server, seeded through the tracking client
 * over REST: the table's columns, the filter checked by agentrack's parser as it is typed,
 * sorting and keyset paging in the URL, the span tree by keyboard with the selection kept in
 * the URL, a 10,000-span trace, hostile span inputs shown as text, not-found and error states,
 * and no WCAG violation in light or dark.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Span, TraceInfo } from '../../src/entities/index.js';
import { axeViolations, screenshot, type UiServer } from './browser.js';
import { bodyRows, useUiFixture } from './fixture.js';

const T0 = 1_796_123_635_877_083_937n;
const MS = 1_000_000n;
const HOSTILE = '<script>alert(1)</script>';

const ok = 'tr-0000000000000000000000000000a001';
const failed = 'tr-0000000000000000000000000000b002';
const big = 'tr-0000000000000000000000000000c003';
const spanless = 'tr-0000000000000000000000000000e004';

let experimentId: string;
let emptyId: string;
let bulkId: string;

function info(
  experiment: string,
  traceId: string,
  options: { state: 'OK' | 'ERROR'; ms: number; duration: string; name: string; flow: string },
): TraceInfo {
  return {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experiment } },
    request_time: new Date(options.ms).toISOString(),
    execution_duration: options.duration,
    state: options.state,
    request_preview: `{"question": "what does ${options.name} say about a very long question that needs truncation?"}`,
    response_preview: `{"answer": "${options.name} answered"}`,
    trace_metadata: { 'mlflow.trace_schema.version': '3' },
    tags: { 'mlflow.traceName': options.name, flow: options.flow, owner: `team-${options.flow}` },
  };
}

function span(
  traceId: string,
  spanId: string,
  name: string,
  type: string,
  startMs: bigint,
  endMs: bigint,
  extra: Partial<Span> = {},
): Span {
  return {
    trace_id: traceId,
    span_id: spanId,
    name,
    span_type: type,
    status: 'OK',
    start_time_unix_nano: String(T0 + startMs * MS),
    end_time_unix_nano: String(T0 + endMs * MS),
    attributes: { 'mlflow.spanType': type },
    ...extra,
  };
}

/** The failed trace: agent → retrieve (hostile inputs) → search_index (an exception), and generate. */
function failedSpans(): Span[] {
  return [
    span(failed, '00000000000000a1', 'agent', 'AGENT', 0n, 2500n, {
      attributes: { 'mlflow.spanType': 'AGENT', 'mlflow.spanInputs': { question: 'q' } },
      status: 'ERROR',
      status_message: 'ValueError: index unavailable',
    }),
    span(failed, '00000000000000b2', 'retrieve', 'RETRIEVER', 10n, 1200n, {
      parent_span_id: '00000000000000a1',
      attributes: {
        'mlflow.spanType': 'RETRIEVER',
        'mlflow.spanInputs': { query: HOSTILE, top_k: 3 },
        'mlflow.spanOutputs': [{ doc: 'doc-1', score: 0.92 }],
        'retriever.index': 'faq-v2',
      },
    }),
    span(failed, '00000000000000c3', 'search_index', 'TOOL', 20n, 1100n, {
      parent_span_id: '00000000000000b2',
      status: 'ERROR',
      status_message: 'ValueError: index unavailable',
      events: [
        {
          name: 'exception',
          time_unix_nano: String(T0 + 1100n * MS),
          attributes: {
            'exception.type': 'ValueError',
            'exception.message': 'index unavailable',
            'exception.stacktrace': 'Traceback (most recent call last):\n  File "search.py", line 3',
          },
        },
      ],
    }),
    span(failed, '00000000000000d4', 'generate', 'LLM', 1300n, 2400n, {
      parent_span_id: '00000000000000a1',
      attributes: { 'mlflow.spanType': 'LLM', 'mlflow.spanOutputs': 'a reply' },
    }),
  ];
}

/** A root and 9,999 steps, grouped ten by ten under the root. */
function bigSpans(): Span[] {
  const spans: Span[] = [span(big, '1000000000000000', 'big-root', 'AGENT', 0n, 20_000n)];
  let group = '';
  for (let i = 1; i < 10_000; i++) {
    const id = (0x2000000000000000n + BigInt(i)).toString(16);
    const name = `step-${String(i).padStart(4, '0')}`;
    const parent = i % 10 === 1 ? '1000000000000000' : group;
    if (i % 10 === 1) group = id;
    spans.push(span(big, id, name, 'TOOL', BigInt(i), BigInt(i) + 1n, { parent_span_id: parent }));
  }
  return spans;
}

/** The three experiments' traces, logged through the tracking client over REST. */
async function seed(server: UiServer): Promise<void> {
  const client = await TrackingClient.open(server.url);
  try {
    experimentId = await client.createExperiment('/Shared/ui_traces_agent/development');
    emptyId = await client.createExperiment('/Shared/ui_traces_agent/evaluation');
    bulkId = await client.createExperiment('/Shared/ui_traces_agent/deployment');
    const spanlessId = await client.createExperiment('/Shared/ui_traces_agent/spanless');
    const now = Date.now();
    await client.traces.logTrace({
      info: info(experimentId, ok, {
        state: 'OK',
        ms: now - 50_000,
        duration: '0.120s',
        name: 'answer_ok',
        flow: 'a',
      }),
      spans: [span(ok, '00000000000000e5', 'answer_ok', 'AGENT', 0n, 120n)],
    });
    await client.traces.logTrace({
      info: info(experimentId, failed, {
        state: 'ERROR',
        ms: now - 40_000,
        duration: '2.5s',
        name: 'answer_failed',
        flow: 'b',
      }),
      spans: failedSpans(),
    });
    await client.traces.logTrace({
      info: info(experimentId, big, {
        state: 'OK',
        ms: now - 30_000,
        duration: '0.9s',
        name: 'answer_big',
        flow: 'c',
      }),
      spans: bigSpans(),
    });
    await client.traces.startTrace(
      info(spanlessId, spanless, {
        state: 'OK',
        ms: now - 20_000,
        duration: '0.001s',
        name: 'no_spans',
        flow: 'x',
      }),
    );
    const judge = { source_type: 'LLM_JUDGE' as const, source_id: 'judge-v1' };
    await client.traces.logAssessment({
      assessment_name: 'correct',
      trace_id: ok,
      source: judge,
      feedback: { value: true },
      rationale: 'matches the reference answer',
    });
    await client.traces.logAssessment({
      assessment_name: 'score',
      trace_id: ok,
      source: judge,
      feedback: { value: 0.875 },
    });
    await client.traces.logAssessment({
      assessment_name: 'correct',
      trace_id: failed,
      span_id: '00000000000000b2',
      source: { source_type: 'HUMAN', source_id: 'reviewer@example.com' },
      feedback: { value: false },
      rationale: 'retrieved the wrong document',
    });
    await client.traces.logAssessment({
      assessment_name: 'score',
      trace_id: failed,
      source: judge,
      feedback: { error: { error_code: 'JUDGE_TIMEOUT', error_message: 'the judge did not answer in 30 s' } },
    });
    for (let i = 0; i < 130; i++) {
      const id = `tr-${(0xd000n + BigInt(i)).toString(16).padStart(32, '0')}`;
      await client.traces.logTrace({
        info: info(bulkId, id, {
          state: 'OK',
          ms: now - 100_000 + i,
          duration: '0.01s',
          name: `bulk-${i}`,
          flow: 'z',
        }),
        spans: [span(id, '00000000000000f6', `bulk-${i}`, 'CHAIN', 0n, 10n)],
      });
    }
  } finally {
    await client.close();
  }
}

const ui = useUiFixture({ seed, timeout: 300_000 });

const rowOf = (page: Page, name: string) => bodyRows(page).filter({ hasText: name });
const tracesUrl = (id: string, query = '') => `${ui.server.url}/experiments/${id}/traces${query}`;

describe('the Traces page', () => {
  it('lists the traces with status, duration, previews, assessment and chosen tag columns', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(tracesUrl(experimentId));
      await rowOf(page, 'answer_failed').waitFor();
      expect(await bodyRows(page).count()).toBe(3);
      await expect
        .poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).textContent())
        .toBe('/Shared/ui_traces_agent/development');
      const headers = await page.locator('.data-table thead th').allTextContents();
      expect(headers.map((h) => h.trim())).toEqual([
        'Trace',
        'Name',
        'Status',
        'Request time ▼',
        'Duration',
        'Request',
        'Response',
        'correct',
        'score',
      ]);
      const failedRow = rowOf(page, 'answer_failed');
      await expect.poll(() => failedRow.locator('.badge.bad').first().textContent()).toBe('ERROR');
      expect(await failedRow.textContent()).toContain('2.50 s');
      expect(await failedRow.getByText('false').getAttribute('class')).toBe('badge bad');
      expect(
        await failedRow.locator('[title="JUDGE_TIMEOUT: the judge did not answer in 30 s"]').textContent(),
      ).toBe('error: JUDGE_TIMEOUT: the judge did not answer in 30 s');
      const okRow = rowOf(page, 'answer_ok');
      expect(await okRow.getByText('OK', { exact: true }).getAttribute('class')).toBe('badge ok');
      expect(await okRow.getByText('true').getAttribute('class')).toBe('badge ok');
      expect(await okRow.textContent()).toContain('0.875');
      expect(await okRow.textContent()).toContain('120 ms');
      const preview = okRow.locator('.truncated').filter({ hasText: 'what does answer_ok' });
      expect(await preview.getAttribute('title')).toBe(
        '{"question": "what does answer_ok say about a very long question that needs truncation?"}',
      );
      expect(await okRow.locator('time').getAttribute('title')).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
      );

      await page.getByText('Tag columns').click();
      const flow = page.getByRole('checkbox', { name: 'flow', exact: true });
      await flow.click();
      await expect.poll(() => flow.isChecked()).toBe(true);
      await expect.poll(() => page.url()).toContain('tags=flow');
      await expect.poll(() => rowOf(page, 'answer_ok').locator('td').nth(7).textContent()).toBe('a');
      await page.reload();
      await expect.poll(() => rowOf(page, 'answer_failed').locator('td').nth(7).textContent()).toBe('b');
    });
  });

  it('shows a parse error at its position as the filter is typed, and applies a valid one from the URL', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(tracesUrl(experimentId));
      await rowOf(page, 'answer_ok').waitFor();
      const box = page.getByRole('searchbox', { name: 'Filter' });
      await box.fill('tags.flow = a');
      const problem = page.getByRole('alert');
      await expect.poll(() => problem.textContent()).toContain('(at position 12)');
      expect(await box.getAttribute('aria-invalid')).toBe('true');
      // The caret sits under the offending token.
      expect(await page.locator('.trace-filter-caret').textContent()).toBe(
        `tags.flow = a\n${' '.repeat(12)}^`,
      );
      // An invalid filter is never sent: all three traces stay.
      expect(page.url()).not.toContain('filter=');
      expect(await bodyRows(page).count()).toBe(3);

      await box.fill("trace.status = 'ERROR'");
      await expect.poll(() => new URL(page.url()).searchParams.get('filter')).toBe("trace.status = 'ERROR'");
      await expect.poll(() => bodyRows(page).count()).toBe(1);
      expect(await bodyRows(page).first().textContent()).toContain('answer_failed');
      expect(await page.getByRole('alert').count()).toBe(0);

      // Typing goes on after a valid prefix was applied: the box keeps what is typed.
      await box.pressSequentially(' AND');
      await expect.poll(() => box.inputValue()).toBe("trace.status = 'ERROR' AND");
      await expect.poll(() => problem.textContent()).toContain('at position');
      await box.fill('');
      await expect.poll(() => new URL(page.url()).searchParams.get('filter')).toBeNull();
      await expect.poll(() => bodyRows(page).count()).toBe(3);

      await box.fill("span.name = 'retrieve' AND tags.flow = 'b'");
      await expect.poll(() => new URL(page.url()).searchParams.get('filter')).toContain('span.name');
      await page.reload();
      await expect
        .poll(() => page.getByRole('searchbox', { name: 'Filter' }).inputValue())
        .toBe("span.name = 'retrieve' AND tags.flow = 'b'");
      await expect.poll(() => bodyRows(page).count()).toBe(1);
      expect(await bodyRows(page).first().textContent()).toContain('answer_failed');

      await page.getByRole('searchbox', { name: 'Filter' }).fill("tags.flow = 'nowhere'");
      await page.getByText('No traces match this filter').waitFor();
    });
  });

  it('sorts through order_by, kept in the URL', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(tracesUrl(experimentId));
      await rowOf(page, 'answer_ok').waitFor();
      const names = () => bodyRows(page).locator('td:nth-child(2)').allTextContents();
      expect(await names()).toEqual(['answer_big', 'answer_failed', 'answer_ok']);
      await page.getByRole('button', { name: 'Duration' }).click();
      await expect
        .poll(() => new URL(page.url()).searchParams.get('order'))
        .toMatch(/^execution_time_ms (ASC|DESC)$/);
      const first = new URL(page.url()).searchParams.get('order') as string;
      const ascending = ['answer_ok', 'answer_big', 'answer_failed'];
      await expect.poll(names).toEqual(first.endsWith('ASC') ? ascending : [...ascending].reverse());
      await page.getByRole('button', { name: 'Duration' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('order')).not.toBe(first);
      await expect.poll(names).toEqual(first.endsWith('ASC') ? [...ascending].reverse() : ascending);
      const order = new URL(page.url()).searchParams.get('order');
      await page.reload();
      await expect.poll(names).toEqual(first.endsWith('ASC') ? [...ascending].reverse() : ascending);
      expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe(
        order?.endsWith('DESC') ? 'descending' : 'ascending',
      );
    });
  });

  it('loads the next keyset page when the end of the table comes into view', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(tracesUrl(bulkId));
      await page.getByText('100 traces loaded; scroll for more').waitFor();
      await bodyRows(page).first().focus();
      await page.keyboard.press('End');
      await page.getByText('All 130 traces').waitFor();
      await page.keyboard.press('End');
      await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toContain('bulk-0');
    });
  });

  it('says when an experiment has no traces, when it does not exist, and when the server refuses the search', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(tracesUrl(emptyId));
        await page.getByText('No traces yet').waitFor();
        await page.goto(tracesUrl('987654'));
        const alert = page.getByRole('alert');
        await expect.poll(() => alert.locator('.error-title').textContent()).toBe('Not found');
        expect(await alert.textContent()).toContain('987654');
        // A refusal of the search itself (an order the server does not know) is an error with its code and a retry.
        await page.goto(tracesUrl(experimentId, `?order=${encodeURIComponent('no_such_key DESC')}`));
        await expect.poll(() => alert.locator('.error-title').textContent()).toBe('Something went wrong');
        expect(await alert.locator('.error-code').textContent()).toBe('INVALID_PARAMETER_VALUE · HTTP 400');
        expect(await alert.getByRole('button', { name: 'Try again' }).count()).toBe(1);
      },
      { errors: /\b(404|400)\b/ },
    );
  });
});

describe('the Trace page', () => {
  it('shows the span tree; the keyboard selects a span, whose details and URL survive a reload', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/traces/${failed}`);
        const tree = page.getByRole('tree', { name: 'Spans (4)' });
        await tree.waitFor();
        expect(await tree.getByRole('treeitem').allTextContents()).toEqual([
          expect.stringMatching(/^▾agentAGENTERROR2\.50 s$/),
          expect.stringMatching(/^▾retrieveRETRIEVER1\.19 s$/),
          expect.stringMatching(/^search_indexTOOLERROR1\.08 s$/),
          expect.stringMatching(/^generateLLM1\.10 s$/),
        ]);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('answer_failed');
        await expect
          .poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).textContent())
          .toBe('/Shared/ui_traces_agent/development / Traces');
        // The trace's info, assessments and the span each belongs to.
        expect(await page.locator('.trace-summary').textContent()).toContain('ERROR');
        const assessments = page.getByRole('region', { name: 'Assessments' });
        expect(await assessments.getByRole('row', { name: /correct/ }).textContent()).toContain(
          'retrieved the wrong document',
        );
        expect(
          await assessments
            .getByRole('row', { name: /correct/ })
            .getByRole('button')
            .textContent(),
        ).toBe('retrieve');
        expect(await assessments.getByRole('row', { name: /score/ }).textContent()).toContain(
          'JUDGE_TIMEOUT',
        );

        await tree.getByRole('treeitem').first().focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await expect.poll(() => new URL(page.url()).searchParams.get('span')).toBe('00000000000000b2');
        const details = page.getByRole('region', { name: /^Span retrieve/ });
        await expect
          .poll(() => details.getByLabel('Inputs').textContent())
          .toBe(JSON.stringify({ query: HOSTILE, top_k: 3 }, null, 2));
        expect(await details.getByLabel('Outputs').textContent()).toBe(
          JSON.stringify([{ doc: 'doc-1', score: 0.92 }], null, 2),
        );
        expect(await details.getByRole('row', { name: /retriever\.index/ }).textContent()).toContain(
          'faq-v2',
        );
        expect(await page.locator('script:not([src])').count()).toBe(0);

        await page.reload();
        await page.getByRole('tree').waitFor();
        expect(await page.getByRole('treeitem', { selected: true }).textContent()).toContain('retrieve');
        await expect
          .poll(() =>
            page
              .getByRole('region', { name: /^Span retrieve/ })
              .getByLabel('Inputs')
              .textContent(),
          )
          .toContain(HOSTILE);

        // Right goes into the children, Enter selects the failing span: its exception is shown.
        await page.getByRole('treeitem', { selected: true }).focus();
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('Enter');
        const failing = page.getByRole('region', { name: /^Span search_index/ });
        await expect
          .poll(() => failing.locator('.span-exception').filter({ hasText: 'Exception' }).textContent())
          .toContain('Exception: ValueErrorindex unavailable');
        // Left goes to the parent, then collapses it.
        await page.keyboard.press('ArrowLeft');
        await page.keyboard.press('ArrowLeft');
        await expect.poll(() => page.getByRole('treeitem').count()).toBe(3);
        expect(await page.getByRole('treeitem', { name: /retrieve/ }).getAttribute('aria-expanded')).toBe(
          'false',
        );
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => page.getByRole('treeitem').count()).toBe(4);
      },
      { dialogs: true },
    );
  });

  it("shows the trace's tags and metadata and the span's attributes as named key/value tables", async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/traces/${failed}?span=00000000000000b2`);
      const tags = page.getByRole('table', { name: 'Tags of the trace' });
      await tags.waitFor();
      // Sorted by key (the server adds a tag of its own).
      const keys = await tags.getByRole('rowheader').allTextContents();
      expect(keys).toEqual(expect.arrayContaining(['flow', 'mlflow.traceName', 'owner']));
      expect(keys).toEqual([...keys].sort());
      expect(
        await tags
          .getByRole('row', { name: /^owner/ })
          .getByRole('cell')
          .textContent(),
      ).toBe('team-b');
      const metadata = page.getByRole('table', { name: 'Metadata of the trace' });
      expect(
        await metadata.getByRole('row', { name: /^mlflow\.trace_schema\.version/ }).textContent(),
      ).toContain('3');
      const attributes = page.getByRole('table', { name: 'Attributes of the span' });
      await attributes.waitFor();
      expect(await attributes.getByRole('rowheader').allTextContents()).toEqual([
        'mlflow.spanType',
        'retriever.index',
      ]);
      expect(await attributes.getByLabel('Attribute retriever.index').textContent()).toContain('faq-v2');
    });
  });

  it('renders a trace of 10,000 spans virtualized and scrolls to its last span', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/traces/${big}`);
      const tree = page.getByRole('tree', { name: 'Spans (10,000)' });
      await tree.waitFor();
      // Only the rows in view are in the page.
      expect(await tree.getByRole('treeitem').count()).toBeLessThan(80);
      await tree.getByRole('treeitem').first().focus();
      await page.keyboard.press('End');
      const last = page.getByRole('treeitem', { name: /step-9999/ });
      await last.waitFor();
      await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toContain('step-9999');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => new URL(page.url()).searchParams.get('span'))
        .toBe((0x2000000000000000n + 9999n).toString(16));
      // And by the scroll bar: back to the top, then to the bottom.
      await page.locator('.span-tree-scroll').evaluate((el) => (el.scrollTop = 0));
      await page.getByRole('treeitem', { name: /big-root/ }).waitFor();
      await page.locator('.span-tree-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await last.waitFor();
    });
  });

  it('keeps the collapsed spans in the URL with the selection; a reload shows the same tree', async () => {
    await ui.withPage('light', async ({ page }) => {
      const [agent, retrieve, searchIndex] = ['00000000000000a1', '00000000000000b2', '00000000000000c3'];
      const url = () => new URL(page.url()).searchParams;
      const items = () => page.getByRole('treeitem');
      const item = (name: string) => page.getByRole('treeitem', { name: new RegExp(`^.?${name}`) });
      await page.goto(`${ui.server.url}/traces/${failed}`);
      await page.getByRole('tree', { name: 'Spans (4)' }).waitFor();
      const entries = await page.evaluate('history.length');

      // Left on an open span collapses it: only that span's id is in the URL.
      await items().first().focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => url().get('collapsed')).toBe(retrieve);
      await expect.poll(() => items().count()).toBe(3);
      await page.reload();
      await page.getByRole('tree', { name: 'Spans (4)' }).waitFor();
      expect(await items().count()).toBe(3);
      expect(await item('retrieve').getAttribute('aria-expanded')).toBe('false');

      // Collapsing the root hides the rest; opening it again shows retrieve still collapsed.
      await item('agent').focus();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => url().get('collapsed')).toBe(`${retrieve},${agent}`);
      await expect.poll(() => items().count()).toBe(1);
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => url().get('collapsed')).toBe(retrieve);
      await expect.poll(() => items().count()).toBe(3);
      expect(await page.evaluate('history.length')).toBe(entries);

      // A shared link selecting a span inside collapsed branches opens its ancestors.
      await page.goto(`${ui.server.url}/traces/${failed}?span=${searchIndex}&collapsed=${agent},${retrieve}`);
      await page.getByRole('region', { name: /^Span search_index/ }).waitFor();
      await expect.poll(() => url().get('collapsed')).toBeNull();
      expect(url().get('span')).toBe(searchIndex);
      expect(await items().count()).toBe(4);
      expect(await page.getByRole('treeitem', { selected: true }).textContent()).toContain('search_index');
      expect(await axeViolations(page)).toEqual([]);

      // Collapsing the branch that holds the selected span selects the span collapsed, so
      // the URL names a tree in which the selection is in view, and a reload shows it.
      await item('retrieve').locator('.span-toggle').click();
      await expect.poll(() => url().get('collapsed')).toBe(retrieve);
      expect(url().get('span')).toBe(retrieve);
      await page.getByRole('region', { name: /^Span retrieve/ }).waitFor();
      await page.reload();
      await page.getByRole('region', { name: /^Span retrieve/ }).waitFor();
      expect(await items().count()).toBe(3);
      expect(await item('retrieve').getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByRole('treeitem', { selected: true }).textContent()).toContain('retrieve');
      expect(url().get('collapsed')).toBe(retrieve);
    });
  });

  it('opens the ancestors of a span selected by a link into a collapsed 10,000-span trace', async () => {
    await ui.withPage('light', async ({ page }) => {
      const id = (i: number) => (0x2000000000000000n + BigInt(i)).toString(16);
      const url = () => new URL(page.url()).searchParams;
      await page.goto(
        `${ui.server.url}/traces/${big}?span=${id(9999)}&collapsed=1000000000000000,${id(9991)},${id(1)}`,
      );
      await page.getByRole('region', { name: /^Span step-9999/ }).waitFor();
      const last = page.getByRole('treeitem', { name: /step-9999/ });
      await last.waitFor();
      expect(await last.getAttribute('aria-selected')).toBe('true');
      // Only the collapsed span that hides nothing selected stays in the URL.
      await expect.poll(() => url().get('collapsed')).toBe(id(1));
      await page.locator('.span-tree-scroll').evaluate((el) => (el.scrollTop = 0));
      const first = page.getByRole('treeitem', { name: /step-0001/ });
      await first.waitFor();
      expect(await first.getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByRole('treeitem', { name: /step-0002/ }).count()).toBe(0);
    });
  });

  it('says when a known trace has no spans', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/traces/${spanless}`);
        await page.getByText('This trace has no spans recorded.').waitFor();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('no_spans');
      },
      { errors: /404/ },
    );
  });

  it('answers an unknown trace with Not found and the server message', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/traces/tr-ffffffffffffffffffffffffffffffff`);
        const alert = page.getByRole('alert');
        await expect.poll(() => alert.locator('.error-title').textContent()).toBe('Not found');
        expect(await alert.textContent()).toContain('tr-ffffffffffffffffffffffffffffffff');
      },
      { errors: /404/ },
    );
  });
});

describe('accessibility', () => {
  it.each(['light', 'dark'] as const)('has no WCAG A/AA violations in the %s scheme', async (scheme) => {
    await ui.withPage(scheme, async ({ page }) => {
      await page.goto(tracesUrl(experimentId, '?tags=flow'));
      await rowOf(page, 'answer_ok').waitFor();
      await page.getByRole('searchbox', { name: 'Filter' }).fill('tags.flow = ');
      await page.getByRole('alert').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'traces', scheme);
      // Wide tables scroll inside their own area, not the page.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);

      await page.goto(`${ui.server.url}/traces/${failed}?span=00000000000000c3`);
      await page.getByRole('region', { name: /^Span search_index/ }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'trace', scheme);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    });
  });
});
