import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function DeploymentsPage() {
  return (
    <>
      <PageHeader title="Deployments" />
      <Empty title="Not built yet" />
    </>
  );
}
