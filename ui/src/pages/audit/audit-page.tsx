import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" />
      <Empty title="Not built yet" />
    </>
  );
}
