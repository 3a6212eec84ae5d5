import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function ModelsPage() {
  return (
    <>
      <PageHeader title="Models" />
      <Empty title="Not built yet" />
    </>
  );
}
