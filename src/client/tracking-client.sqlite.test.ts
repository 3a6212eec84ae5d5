import { join } from 'node:path';
import { tempDir } from '../testing/temp-dir.js';
import { describeTrackingClientContract } from './tracking-client.contract.js';
import { TrackingClient } from './tracking-client.js';

describeTrackingClientContract('SQLite file', async () => {
  const dir = tempDir();
  const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'contract.db')}`);
  return {
    client,
    cleanup: async () => {
      await client.close();
      dir.remove();
    },
  };
});
