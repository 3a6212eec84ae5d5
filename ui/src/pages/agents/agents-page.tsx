import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function AgentsPage() {
  return (
    <>
      <PageHeader title="Agents" />
      <Empty title="Not built yet" />
    </>
  );
}
