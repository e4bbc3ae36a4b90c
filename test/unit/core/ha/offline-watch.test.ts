import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntityState } from '../../../../core/ha/entity-stream';
import { interpretState } from '../../../../core/ha/meter-entity';
import { humanDuration, parseMeterStatus, type MeterStatusMessage } from '../../../../core/ha/offline-message';
import { createOfflineWatch, type OfflineWatch } from '../../../../core/ha/offline-watch';

/** A manual clock: timers fire only when the test moves time past them. */
class FakeClock {
  time = Date.parse('2026-11-27T02:00:00Z');
  private timers: Array<{ at: number; callback: () => void; cancelled: boolean }> = [];

  now = (): number => this.time;

  schedule = (callback: () => void, ms: number): (() => void) => {
    const timer = { at: this.time + ms, callback, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => !timer.cancelled && timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }

  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }
}

const minute = 60_000;
const energy = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };

function setUp(graceMs = 15 * minute, entities = ['sensor.home_energy']): { clock: FakeClock; watch: OfflineWatch; out: MeterStatusMessage[] } {
  const clock = new FakeClock();
  const out: MeterStatusMessage[] = [];
  const watch = createOfflineWatch({ entities, graceMs, now: clock.now, schedule: clock.schedule, emit: (message) => out.push(message) });
  return { clock, watch, out };
}

/** Feeds a state through the meter's own interpretation, as EntityMeter's onState does. */
function observe(watch: OfflineWatch, clock: FakeClock, state: string, entityId = 'sensor.home_energy', ts = clock.time): void {
  const entityState: EntityState = { entity_id: entityId, state, attributes: energy, ts };
  const interpretation = interpretState(entityState, undefined);
  watch.observe(entityState, 'skipped' in interpretation ? interpretation.skipped : undefined);
}

describe('offline watch', () => {
  it('reports a meter unavailable for longer than the grace period once, and once when it is back', () => {
    const { clock, watch, out } = setUp();
    watch.connection(true);
    observe(watch, clock, '1200.5');
    clock.advance(10 * minute);
    observe(watch, clock, 'unavailable');
    const wentAway = clock.time;
    clock.advance(15 * minute - 1);
    assert.equal(out.length, 0, 'nothing within the grace period');
    clock.advance(1);
    assert.equal(out.length, 1);
    const offline = out[0];
    assert.equal(offline?.topic, 'meter_offline');
    assert.equal(offline?.payload.entity_id, 'sensor.home_energy');
    assert.equal(offline?.payload.state, 'unavailable');
    assert.equal(offline?.payload.cause, 'unavailable');
    assert.equal(offline?.payload.kind, 'energy');
    assert.equal(offline?.payload.since, new Date(wentAway).toISOString());
    assert.equal(offline?.payload.duration_s, 15 * 60);
    assert.match(offline?.payload.explanation ?? '', /^Energy meter sensor\.home_energy has been unavailable since \d\d:\d\d \(15 min\): readings are not being recorded$/);
    // More unavailable states and hours of waiting: no repeat.
    observe(watch, clock, 'unavailable');
    clock.advance(120 * minute);
    observe(watch, clock, 'unknown');
    clock.advance(60 * minute);
    assert.equal(out.length, 1, 'one alert per episode');
    assert.deepEqual(watch.offline().map((entity) => [entity.entityId, entity.reported]), [['sensor.home_energy', true]]);
    observe(watch, clock, '1201.0');
    assert.equal(out.length, 2);
    const online = out[1];
    assert.equal(online?.topic, 'meter_online');
    assert.equal(online?.payload.state, '1201.0');
    assert.equal(online?.payload.since, new Date(wentAway).toISOString());
    assert.equal(online?.payload.until, new Date(clock.time).toISOString());
    assert.equal(online?.payload.duration_s, (15 + 180) * 60);
    assert.match(online?.payload.explanation ?? '', /^Energy meter sensor\.home_energy is back online after 3 h 15 min \(offline since \d\d:\d\d\)$/);
    assert.deepEqual(watch.offline(), []);
    observe(watch, clock, '1202.0');
    clock.advance(60 * minute);
    assert.equal(out.length, 2, 'nothing more while it reports numbers');
  });

  it('an outage shorter than the grace period is not reported, nor its end', () => {
    const { clock, watch, out } = setUp();
    watch.connection(true);
    observe(watch, clock, '5');
    for (let i = 0; i < 5; i += 1) {
      observe(watch, clock, 'unavailable');
      clock.advance(14 * minute);
      observe(watch, clock, '5');
      clock.advance(minute);
    }
    assert.deepEqual(out, []);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('a non-numeric state counts as offline; a wrong unit or a tracker without coordinates does not', () => {
    const { clock, watch, out } = setUp(minute, ['sensor.a', 'sensor.b', 'person.someone']);
    const zoneOnly: EntityState = { entity_id: 'person.someone', state: 'home', attributes: {}, ts: clock.time };
    assert.deepEqual(interpretState(zoneOnly, undefined), { skipped: 'non-numeric' });
    watch.observe(zoneOnly, 'non-numeric');
    watch.connection(true);
    observe(watch, clock, 'error', 'sensor.a');
    const wrongUnit: EntityState = { entity_id: 'sensor.b', state: '3', attributes: { device_class: 'energy', unit_of_measurement: 'furlong' }, ts: clock.time };
    const interpretation = interpretState(wrongUnit, undefined);
    assert.deepEqual(interpretation, { skipped: 'unit' });
    watch.observe(wrongUnit, 'unit');
    clock.advance(2 * minute);
    assert.deepEqual(out.map((message) => [message.topic, message.payload.entity_id, message.payload.cause]), [['meter_offline', 'sensor.a', 'non-numeric']]);
    assert.match(out[0]?.payload.explanation ?? '', /has reported "error" \(not a number\)/);
  });

  it('a state stamped unavailable before the watch began is reported as soon as it arrives, with its own time', () => {
    const { clock, watch, out } = setUp();
    watch.connection(true);
    const wentAway = clock.time - 40 * minute;
    observe(watch, clock, 'unavailable', 'sensor.home_energy', wentAway);
    assert.equal(out.length, 1);
    assert.equal(out[0]?.payload.since, new Date(wentAway).toISOString());
    assert.equal(out[0]?.payload.duration_s, 40 * 60);
  });

  it('a lost connection to Home Assistant for longer than the grace period reports every watched meter; the fresh state ends it', () => {
    const { clock, watch, out } = setUp(15 * minute, ['sensor.a', 'sensor.b']);
    watch.connection(true);
    observe(watch, clock, '1', 'sensor.a');
    observe(watch, clock, '2', 'sensor.b');
    clock.advance(minute);
    watch.connection(false);
    const lost = clock.time;
    clock.advance(20 * minute);
    assert.deepEqual(out.map((message) => [message.topic, message.payload.entity_id, message.payload.cause, message.payload.since]), [
      ['meter_offline', 'sensor.a', 'connection', new Date(lost).toISOString()],
      ['meter_offline', 'sensor.b', 'connection', new Date(lost).toISOString()],
    ]);
    assert.match(out[0]?.payload.explanation ?? '', /out of reach \(no connection to Home Assistant\).*backfilled/);
    // Connected again, but no state yet: still offline until a state arrives over the new connection.
    watch.connection(true);
    assert.equal(out.length, 2);
    observe(watch, clock, '1.5', 'sensor.a');
    observe(watch, clock, 'unavailable', 'sensor.b');
    assert.deepEqual(out.slice(2).map((message) => [message.topic, message.payload.entity_id, message.payload.duration_s]), [['meter_online', 'sensor.a', 20 * 60]]);
    // sensor.b came back unavailable: the same episode goes on, with its first cause's start.
    assert.deepEqual(watch.offline().map((entity) => [entity.entityId, entity.cause, entity.since, entity.reported]), [['sensor.b', 'unavailable', lost, true]]);
    observe(watch, clock, '2.5', 'sensor.b');
    assert.deepEqual(out.slice(3).map((message) => [message.topic, message.payload.entity_id]), [['meter_online', 'sensor.b']]);
  });

  it('never connecting counts from the start; an entity HA never sends is reported as sending no state', () => {
    const { clock, watch, out } = setUp(5 * minute, ['sensor.gone']);
    clock.advance(6 * minute);
    assert.deepEqual(out.map((message) => [message.topic, message.payload.cause, message.payload.state]), [['meter_offline', 'connection', null]]);
    assert.deepEqual(watch.offline().map((entity) => entity.reported), [true]);
    const second = setUp(5 * minute, ['sensor.gone']);
    second.watch.connection(true);
    second.clock.advance(6 * minute);
    assert.deepEqual(second.out.map((message) => [message.topic, message.payload.cause]), [['meter_offline', 'no-state']]);
    assert.match(second.out[0]?.payload.explanation ?? '', /^Sensor sensor\.gone has sent no state since/);
  });

  it('stop cancels the pending grace timers and reports nothing more', () => {
    const { clock, watch, out } = setUp();
    watch.connection(true);
    observe(watch, clock, 'unavailable');
    assert.equal(clock.pending, 1);
    watch.stop();
    assert.equal(clock.pending, 0);
    clock.advance(60 * minute);
    observe(watch, clock, '3');
    assert.deepEqual(out, []);
  });

  it('refuses a grace period that is not positive (0 means "off" and is the node\'s to handle)', () => {
    const clock = new FakeClock();
    assert.throws(() => createOfflineWatch({ entities: ['sensor.a'], graceMs: 0, now: clock.now, schedule: clock.schedule, emit: () => undefined }), /grace period must be positive/);
  });
});

describe('meter status messages', () => {
  it('durations read as a person says them', () => {
    assert.deepEqual([45_000, 20 * minute, 130 * minute, 120 * minute, 27 * 60 * minute].map(humanDuration), ['45 s', '20 min', '2 h 10 min', '2 h', '1 d 3 h']);
  });

  it('the notify side accepts what the watch sends and names what is wrong with anything else', () => {
    const { clock, watch, out } = setUp(minute);
    watch.connection(true);
    observe(watch, clock, 'unavailable');
    clock.advance(minute);
    const message = out[0] as MeterStatusMessage;
    assert.deepEqual(parseMeterStatus('meter_offline', JSON.parse(JSON.stringify(message.payload))), message.payload);
    assert.throws(() => parseMeterStatus('meter_offline', 'offline'), /must be a JSON object/);
    assert.throws(() => parseMeterStatus('meter_offline', { ...message.payload, entity_id: 'Home Energy' }), /needs an entity_id/);
    assert.throws(() => parseMeterStatus('meter_online', { ...message.payload, since: 'yesterday' }), /'since' as an ISO time/);
    assert.throws(() => parseMeterStatus('meter_online', { ...message.payload, explanation: '' }), /'explanation'/);
  });
});
