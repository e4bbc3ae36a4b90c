/** The simulated household: realistic hourly consumption, injected anomalies, a cumulative meter. */
export { defaultHouseholdParams, householdParams, type HouseholdParams } from './household-params';
export { createHousehold, simulateHours, startOfHour, winterness, loadParts, type HourSource, type LoadPart, type SimHour } from './household';
export { anomalyKwh, anomalySchedule, anomalySpan, withAnomalies, type Anomaly, type AnomalyKind } from './anomalies';
export { createMeter, haStatistics, meterSamples, type HaStatisticRow, type MeterSample } from './meter';
export { randomFor, type Random } from './random';
export { hourReading, startSimulatedHome, type RunningHome, type SimulatedHomeOptions, type SimulatedHomeSinks } from './home-runner';
export { backfillMessage, type ImportStatisticsMessage } from './ha-import';
