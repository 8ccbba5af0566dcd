/** A PNG from `pixel(x, y) -> [r, g, b]` (8-bit RGB). */
export function png(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer;
