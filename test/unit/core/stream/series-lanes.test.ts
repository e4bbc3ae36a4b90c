import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { SeriesLanes } from '../../../../core/stream/series-lanes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('each series runs in push order, one run at a time; what was pushed together is one run', async () => {
  const events: string[] = [];
  const lanes = new SeriesLanes<string>(async (items) => {
    events.push(`start ${items.join(',')}`);
    await sleep(items[0]?.startsWith('a') ? 30 : 1);
    events.push(`end ${items.join(',')}`);
  });
  for (const item of ['a1', 'b1', 'a2', 'b2', 'a3']) lanes.push(item.slice(0, 1), item);
  await sleep(10);
  lanes.push('a', 'a4');
  lanes.push('b', 'b3');
  while (lanes.size > 0) await sleep(5);
  assert.deepEqual(
    events.filter((event) => / a/.test(event)),
    ['start a1,a2,a3', 'end a1,a2,a3', 'start a4', 'end a4'],
  );
  assert.deepEqual(
    events.filter((event) => / b/.test(event)),
    ['start b1,b2', 'end b1,b2', 'start b3', 'end b3'],
  );
  assert.ok(events.indexOf('end b3') < events.indexOf('end a1,a2,a3'), 'series b did not wait for series a');
});

test('a run holds at most maxRun items', async () => {
  const runs: number[] = [];
  const lanes = new SeriesLanes<number>(async (items) => {
    runs.push(items.length);
  }, 2);
  for (let i = 0; i < 5; i += 1) lanes.push('s', i);
  while (lanes.size > 0) await sleep(1);
  assert.deepEqual(runs, [2, 2, 1]);
});
