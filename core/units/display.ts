/** A value beside the one expected, in the unit both are shown in. */
export interface Quantity {
  value: number;
  expected: number;
  unit: string;
}

/**
 * Wh and W as a person reads a meter: once either number reaches 1000 both are shown in kWh / kW
 * (1500 Wh is "1.5 kWh"), so a sentence never mixes units. Other units stay as they are.
 */
export function readableQuantity(quantity: Quantity): Quantity {
  const { value, expected, unit } = quantity;
  if ((unit === 'Wh' || unit === 'W') && Math.max(Math.abs(value), Math.abs(expected)) >= 1000) {
    return { value: value / 1000, expected: expected / 1000, unit: `k${unit}` };
  }
  return { value, expected, unit };
}
