import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function TracesPage() {
  return (
    <>
      <PageHeader title="Traces" />
      <Empty title="Not built yet" />
    </>
  );
}
