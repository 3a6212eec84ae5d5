import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function ModelPage() {
  return (
    <>
      <PageHeader title="Model" />
      <Empty title="Not built yet" />
    </>
  );
}
