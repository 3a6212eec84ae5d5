import { Link, useLocation } from 'react-router';
import { PageHeader } from '../../components/layout.js';

export function NotFoundPage() {
  const location = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        Nothing lives at <code>{location.pathname}</code>. <Link to="/">See every agent</Link>.
      </p>
    </>
  );
}
