import { useQuery } from '@tanstack/react-query';
import { ErrorState, Skeleton } from '../../components/states.js';
import { formatBytes } from '../../lib/format.js';
import { baseName } from './artifact-tree.js';
import { asLoggedTable, cellText, looksBinary, previewKind, type LoggedTable } from './preview-kind.js';
import { artifactUrl, PREVIEW_BYTES, readArtifactHead } from './run-api.js';

/** Rows of a logged table shown at most; the download has them all. */
const TABLE_ROWS = 500;

function TablePreview({ table, name }: { table: LoggedTable; name: string }) {
  const rows = table.data.slice(0, TABLE_ROWS);
  return (
    <div className="preview-table">
      <table className="plain">
        <caption className="visually-hidden">Table {name}</caption>
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {table.columns.map((_, c) => (
                <td key={c}>{cellText(row[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {table.data.length > TABLE_ROWS
          ? `The first ${TABLE_ROWS.toLocaleString('en-US')} of ${table.data.length.toLocaleString('en-US')} rows.`
          : `${table.data.length.toLocaleString('en-US')} rows, ${table.columns.length} columns.`}
      </p>
    </div>
  );
}

function TextPreview({ runId, path }: { runId: string; path: string }) {
  const kind = previewKind(path);
  const head = useQuery({
    queryKey: ['artifact-head', runId, path],
    queryFn: ({ signal }) => readArtifactHead(runId, path, signal),
    staleTime: Infinity,
  });
  if (head.isPending) return <Skeleton rows={6} label={`Loading ${baseName(path)}`} />;
  if (head.isError) return <ErrorState error={head.error} retry={() => void head.refetch()} />;
  const { bytes, truncated } = head.data;
  if (looksBinary(bytes)) return <p>A binary file: no preview. Download it to open it.</p>;
  const text = new TextDecoder('utf-8').decode(bytes);
  let body = <pre className="preview-text">{text}</pre>;
  let label = kind === 'yaml' ? 'YAML' : 'Text';
  if (kind === 'json' && !truncated) {
    try {
      const value: unknown = JSON.parse(text);
      const table = asLoggedTable(value);
      if (table) {
        label = 'Table';
        body = <TablePreview table={table} name={baseName(path)} />;
      } else {
        label = 'JSON';
        body = <pre className="preview-text">{JSON.stringify(value, null, 2)}</pre>;
      }
    } catch {
      label = 'Text (not valid JSON)';
    }
  }
  return (
    <>
      <p className="preview-kind muted">
        {label}
        {truncated ? ` · the first ${formatBytes(PREVIEW_BYTES)} only; download the file for the rest` : ''}
      </p>
      {body}
    </>
  );
}

/** A file of the run: its preview by kind (text, JSON, YAML, image, logged table) and a download link. */
export function ArtifactPreview({ runId, path }: { runId: string; path: string }) {
  const url = artifactUrl(runId, path);
  const name = baseName(path);
  return (
    <section className="artifact-preview" aria-labelledby="artifact-preview-title">
      <div className="artifact-preview-header">
        <h3 id="artifact-preview-title">
          <code>{path}</code>
        </h3>
        <a href={url} download={name}>
          Download {name}
        </a>
      </div>
      {previewKind(path) === 'image' ? (
        <img className="preview-image" src={url} alt={`Image artifact ${name}`} />
      ) : (
        <TextPreview runId={runId} path={path} />
      )}
    </section>
  );
}
