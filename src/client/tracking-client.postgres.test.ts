import { freshDatabase } from '../testing/postgres.js';
import { openPostgresClient } from '../testing/postgres-client.js';
import { describeTrackingClientContract } from './tracking-client.contract.js';

// One database for the file; every test gets a new, empty schema of it (a fresh store).
const db = await freshDatabase();

describeTrackingClientContract('PostgreSQL', () => openPostgresClient(db));
