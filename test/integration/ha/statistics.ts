import { connectedClient, sleep } from './support';

/** Writes hourly long-term statistics (sum) for an entity with recorder/import_statistics, then waits until HA serves them. */
export async function importHourly(entityId: string, firstHourStart: number, changes: readonly number[], unit = 'kWh'): Promise<void> {
  const hour = 3_600_000;
  const client = await connectedClient();
  try {
    let sum = 0;
    // One row before the first hour, so HA can compute the first hour's change from sums.
    const stats = [{ start: new Date(firstHourStart - hour).toISOString(), state: 0, sum: 0 }];
    changes.forEach((change, i) => {
      sum += change;
      stats.push({ start: new Date(firstHourStart + i * hour).toISOString(), state: sum, sum });
    });
    await client.command({
      type: 'recorder/import_statistics',
      metadata: { has_mean: false, has_sum: true, name: entityId, source: 'recorder', statistic_id: entityId, unit_of_measurement: unit },
      stats,
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const result = await client.command<Record<string, unknown[]>>({
        type: 'recorder/statistics_during_period',
        start_time: new Date(firstHourStart).toISOString(),
        end_time: new Date(firstHourStart + changes.length * hour).toISOString(),
        statistic_ids: [entityId],
        period: 'hour',
        types: ['change'],
      });
      if ((result[entityId]?.length ?? 0) >= changes.length) break;
      if (Date.now() > deadline) throw new Error(`HA did not serve the ${changes.length} imported hours of ${entityId}`);
      await sleep(250);
    }
  } finally {
    await client.stop();
  }
}
