import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { Skeleton } from './states.js';

/** The frame of every page: a skip link, the header with the main sections, and the page. */
export function Layout() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" end>
          agentrack
        </NavLink>
        <nav aria-label="Sections">
          <NavLink to="/" end>
            Agents
          </NavLink>
          <NavLink to="/models">Models</NavLink>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Skeleton label="Loading the page" />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}

/** A page's title and what sits beside it (breadcrumbs above, actions to the right). */
export function PageHeader({
  title,
  crumbs,
  actions,
}: {
  title: React.ReactNode;
  crumbs?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  return (
    <div className="page-header">
      {crumbs ? (
        <nav aria-label="Breadcrumbs" className="crumbs">
          {crumbs}
        </nav>
      ) : null}
      <div className="page-title-row">
        <h1>{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
    </div>
  );
}
