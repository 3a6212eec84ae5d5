import { useSearchParams } from 'react-router';
import { NumberValue, RelativeTime } from '../../components/format.js';
import { KeyValueTable } from '../../components/key-value-table.js';
import { Empty } from '../../components/states.js';
import { LongValue } from './long-value.js';
import { millis, type KeyValue, type WireMetric } from './run-api.js';

const byKey = <T extends { key: string }>(a: T, b: T) => a.key.localeCompare(b.key);

/** Params or tags as a Key/Value table, long keys and values cut with a button to show them whole. */
function RunKeyValues({ caption, rows }: { caption: string; rows: readonly KeyValue[] }) {
  return (
    <KeyValueTable
      caption={caption}
      className="kv-table"
      keyClassName="kv-key"
      entries={rows.map((row) => [row.key, row.value] as const)}
      renderKey={(key) => <LongValue text={key} max={40} label={`key ${key.slice(0, 40)}`} />}
      renderValue={(value, key) => <LongValue text={value} label={`value of ${key}`} />}
    />
  );
}

/** The run's params, tags (MLflow's own `mlflow.*` tags folded away) and latest metrics, as tables. */
export function RunData({
  params,
  tags,
  metrics,
}: {
  params: readonly KeyValue[];
  tags: readonly KeyValue[];
  metrics: readonly WireMetric[];
}) {
  const [search, setSearch] = useSearchParams();
  const showSystem = search.get('systemTags') === '1';
  const userTags = tags.filter((t) => !t.key.startsWith('mlflow.')).sort(byKey);
  const systemTags = tags.filter((t) => t.key.startsWith('mlflow.')).sort(byKey);
  const toggleSystem = () =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (showSystem) next.delete('systemTags');
        else next.set('systemTags', '1');
        return next;
      },
      { replace: true },
    );
  return (
    <div className="run-data">
      <section aria-labelledby="run-metrics">
        <h2 id="run-metrics">Metrics</h2>
        {metrics.length === 0 ? (
          <Empty title="No metrics logged" />
        ) : (
          <table className="plain">
            <caption className="visually-hidden">Latest metric values</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Latest</th>
                <th scope="col">Step</th>
                <th scope="col">Logged</th>
              </tr>
            </thead>
            <tbody>
              {[...metrics].sort(byKey).map((m) => (
                <tr key={m.key}>
                  <th scope="row" className="kv-key">
                    <LongValue text={m.key} max={40} label={`metric ${m.key.slice(0, 40)}`} />
                  </th>
                  <td>
                    <NumberValue value={m.value} />
                  </td>
                  <td className="num">{Number(m.step ?? 0).toLocaleString('en-US')}</td>
                  <td>
                    <RelativeTime epochMs={millis(m.timestamp)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="run-params">
        <h2 id="run-params">Parameters</h2>
        {params.length === 0 ? (
          <Empty title="No parameters logged" />
        ) : (
          <RunKeyValues caption="Parameters" rows={[...params].sort(byKey)} />
        )}
      </section>
      <section aria-labelledby="run-tags">
        <h2 id="run-tags">Tags</h2>
        {userTags.length === 0 ? <Empty title="No tags" /> : <RunKeyValues caption="Tags" rows={userTags} />}
        {systemTags.length > 0 ? (
          <>
            <button type="button" className="disclosure" aria-expanded={showSystem} onClick={toggleSystem}>
              {showSystem ? '▾' : '▸'} System tags ({systemTags.length})
            </button>
            {showSystem ? <RunKeyValues caption="System tags" rows={systemTags} /> : null}
          </>
        ) : null}
      </section>
    </div>
  );
}
