import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function ComparePage() {
  return (
    <>
      <PageHeader title="Compare" />
      <Empty title="Not built yet" />
    </>
  );
}
