import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function RunPage() {
  return (
    <>
      <PageHeader title="Run" />
      <Empty title="Not built yet" />
    </>
  );
}
