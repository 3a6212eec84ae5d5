import { PageHeader } from '../../components/layout.js';
import { Empty } from '../../components/states.js';

/** Placeholder until this page is built. */
export function LanePage() {
  return (
    <>
      <PageHeader title="Lane" />
      <Empty title="Not built yet" />
    </>
  );
}
