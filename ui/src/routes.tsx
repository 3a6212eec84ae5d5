import { createBrowserRouter } from 'react-router';
import { Layout } from './components/layout.js';
import { RouteError } from './pages/not-found/route-error.js';

/**
 * Every page and its URL. Pages load on demand (one chunk each), so the first page loads only
 * its own code. The server answers `index.html` for each of these paths (src/server/plugins/web-ui.ts,
 * `UI_PATHS`): a URL survives a reload and can be shared.
 *
 * - `/`: agents, each with its three lanes
 * - `/agents/:agent/deployments`, `/agents/:agent/audit`
 * - `/experiments/:experimentId` (a lane's runs), `/experiments/:experimentId/traces`
 * - `/runs/:runId`, `/compare?runs=<id>,<id>`
 * - `/traces/:traceId`
 * - `/models`, `/models/:name`
 */
export const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      {
        index: true,
        lazy: () => import('./pages/agents/agents-page.js').then((m) => ({ Component: m.AgentsPage })),
      },
      {
        path: 'agents/:agent/deployments',
        lazy: () =>
          import('./pages/deployments/deployments-page.js').then((m) => ({ Component: m.DeploymentsPage })),
      },
      {
        path: 'agents/:agent/audit',
        lazy: () => import('./pages/audit/audit-page.js').then((m) => ({ Component: m.AuditPage })),
      },
      {
        path: 'experiments/:experimentId',
        lazy: () => import('./pages/lane/lane-page.js').then((m) => ({ Component: m.LanePage })),
      },
      {
        path: 'experiments/:experimentId/traces',
        lazy: () => import('./pages/traces/traces-page.js').then((m) => ({ Component: m.TracesPage })),
      },
      {
        path: 'traces/:traceId',
        lazy: () => import('./pages/trace/trace-page.js').then((m) => ({ Component: m.TracePage })),
      },
      {
        path: 'runs/:runId',
        lazy: () => import('./pages/run/run-page.js').then((m) => ({ Component: m.RunPage })),
      },
      {
        path: 'compare',
        lazy: () => import('./pages/compare/compare-page.js').then((m) => ({ Component: m.ComparePage })),
      },
      {
        path: 'models',
        lazy: () => import('./pages/models/models-page.js').then((m) => ({ Component: m.ModelsPage })),
      },
      {
        path: 'models/:name',
        lazy: () => import('./pages/model/model-page.js').then((m) => ({ Component: m.ModelPage })),
      },
      {
        path: '*',
        lazy: () =>
          import('./pages/not-found/not-found-page.js').then((m) => ({ Component: m.NotFoundPage })),
      },
    ],
  },
]);
