import { Link, useRouteError } from 'react-router';
import { ErrorState } from '../../components/states.js';

/** What a page that threw shows instead of a blank screen. */
export function RouteError() {
  const error = useRouteError();
  return (
    <main id="main">
      <ErrorState error={error} title="This page failed" />
      <p>
        <Link to="/">Back to the agents</Link>
      </p>
    </main>
  );
}
