import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function TracePage() {
  return (
    <>
      <PageHeader title="Trace" />
      <Empty title="Not built yet" />
    </>
  );
}
