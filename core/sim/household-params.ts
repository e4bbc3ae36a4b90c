/**
 * The parameters of the simulated household. Defaults describe a two-adult home that is out at
 * work on weekdays, about 9-10 kWh a day, electric cooking, no electric car: close to the
 * London smart-meter homes in test/data/homes. Every power is in watts (W) or kilowatts (kW) as
 * named; every energy in kWh; hours are local clock hours 0-23.
 */
export interface HouseholdParams {
  /** Seed of every random choice; the same seed gives the same home, hour by hour. */
  seed: number;
  /** Always-on load (router, standby, alarm): W, every hour of every day. */
  baseLoadW: number;
  fridge: {
    /** Compressor power while running, W. */
    compressorW: number;
    /** Length of one on+off compressor cycle, minutes. */
    cycleMinutes: number;
    /** Share of the cycle the compressor runs at night (0-1); more while the home is busy. */
    dutyCycle: number;
  };
  /** Lights, TV, computers, chargers: this many W at full activity, scaled by the activity profile. */
  activityW: number;
  /**
   * How busy the home is at each hour (0 asleep or away .. 1 everyone home and awake),
   * on working days and on weekends (Saturday, Sunday): the daily and weekly shape.
   */
  activity: { weekday: readonly number[]; weekend: readonly number[] };
  kettle: {
    kw: number;
    /** Minutes per boil. */
    minutes: number;
    /** Usual hours of a boil on working days and weekends; each happens with `probability`. */
    weekdayHours: readonly number[];
    weekendHours: readonly number[];
    probability: number;
  };
  cooking: {
    /** Average power of oven and hob together while cooking, kW. */
    kw: number;
    /** Minutes of cooking, drawn between these two. */
    minutes: readonly [number, number];
    /** Dinner starts around this hour (± 1 h). */
    dinnerHour: number;
    dinnerProbability: number;
    /** Weekend lunch. */
    lunchHour: number;
    lunchProbability: number;
  };
  washingMachine: {
    /** Energy of one cycle, kWh (most of it heating water in the first half hour). */
    kwhPerCycle: number;
    minutes: number;
    /** Chance of a wash on a given day. */
    probabilityPerDay: number;
    /** Start hour range on working days (evening) and weekends (morning). */
    weekdayStart: readonly [number, number];
    weekendStart: readonly [number, number];
  };
  dishwasher: { kwhPerCycle: number; minutes: number; probabilityPerDay: number; startAfterDinnerHours: number };
  /** Electric space heater: full power in deep winter, nothing in summer, while the home is busy. */
  heater: { kw: number } | null;
  /** Electric car charged overnight (off by default: it would be the night's biggest load). */
  ev: { kw: number; kwhPerSession: number; sessionsPerWeek: number; startHour: number } | null;
  /** Multiplicative noise (log-normal sigma) on the activity-driven load of each hour. */
  noise: number;
}

export const defaultHouseholdParams: HouseholdParams = {
  seed: 1,
  baseLoadW: 90,
  fridge: { compressorW: 110, cycleMinutes: 50, dutyCycle: 0.35 },
  activityW: 420,
  activity: {
    //       0     1     2     3     4     5     6    7    8    9   10   11   12   13   14   15   16   17   18   19   20   21   22   23
    weekday: [0.05, 0.04, 0.04, 0.04, 0.04, 0.05, 0.5, 0.85, 0.4, 0.1, 0.08, 0.08, 0.1, 0.08, 0.08, 0.1, 0.3, 0.7, 0.9, 1, 0.95, 0.8, 0.5, 0.2],
    weekend: [0.1, 0.05, 0.04, 0.04, 0.04, 0.04, 0.05, 0.2, 0.55, 0.8, 0.75, 0.65, 0.7, 0.6, 0.5, 0.5, 0.6, 0.75, 0.9, 1, 0.95, 0.85, 0.6, 0.3],
  },
  kettle: { kw: 2.2, minutes: 3, weekdayHours: [7, 17, 20], weekendHours: [8, 10, 13, 16, 20], probability: 0.8 },
  cooking: { kw: 2, minutes: [35, 75], dinnerHour: 18, dinnerProbability: 0.85, lunchHour: 12, lunchProbability: 0.5 },
  washingMachine: { kwhPerCycle: 0.9, minutes: 110, probabilityPerDay: 0.45, weekdayStart: [18, 20], weekendStart: [9, 11] },
  dishwasher: { kwhPerCycle: 1.1, minutes: 120, probabilityPerDay: 0.6, startAfterDinnerHours: 2 },
  heater: { kw: 1.5 },
  ev: null,
  noise: 0.15,
};

/** Deep-merges `overrides` over the defaults (one level into the appliance objects). */
export function householdParams(overrides: Partial<HouseholdParams> = {}): HouseholdParams {
  const merged: HouseholdParams = { ...defaultHouseholdParams, ...overrides };
  for (const key of ['fridge', 'kettle', 'cooking', 'washingMachine', 'dishwasher'] as const) {
    if (overrides[key]) Object.assign(merged, { [key]: { ...defaultHouseholdParams[key], ...overrides[key] } });
  }
  for (const profile of [merged.activity.weekday, merged.activity.weekend]) {
    if (profile.length !== 24) throw new RangeError('activity profiles need 24 hourly values');
  }
  return merged;
}
