// Mesh shapes for the generated models (a box, a ground grid, a torus), as
// flat position / normal / UV / index arrays that both the glTF writer and the
// OBJ writer consume.

/** A cube of half-size `s`, centred on the origin: 6 quads with their own normals and UVs. */
export function box(s) {
  const faces = [
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]],
  ];
  const pos = [], nrm = [], uv = [], idx = [];
  for (const [n, u, v] of faces) {
    const base = pos.length / 3;
    for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]]) {
      for (let k = 0; k < 3; k++) pos.push(s * (n[k] + a * u[k] + b * v[k]));
      nrm.push(...n);
      uv.push((a + 1) / 2, 1 - (b + 1) / 2);
    }
    idx.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  return { pos, nrm, uv, idx };
}

/** A flat square on y = 0, `size` across, of `cells` x `cells` quads. */
export function grid(size, cells) {
  const pos = [], nrm = [], uv = [], idx = [];
  for (let j = 0; j <= cells; j++) {
    for (let i = 0; i <= cells; i++) {
      pos.push((i / cells - 0.5) * size, 0, (j / cells - 0.5) * size);
      nrm.push(0, 1, 0);
      uv.push(i / cells, j / cells);
    }
  }
  for (let j = 0; j < cells; j++) {
    for (let i = 0; i < cells; i++) {
      const a = j * (cells + 1) + i, b = a + 1, c = a + cells + 1, d = c + 1;
      idx.push(a, c, b, b, c, d);
    }
  }
  return { pos, nrm, uv, idx };
}

/** A torus around the y axis: ring radius `R`, tube radius `r`, `seg` x `sides` quads. */
export function torus(R, r, seg, sides) {
  const pos = [], nrm = [], uv = [], idx = [];
  for (let j = 0; j <= sides; j++) {
    const v = (j / sides) * Math.PI * 2;
    for (let i = 0; i <= seg; i++) {
      const u = (i / seg) * Math.PI * 2;
      const cx = Math.cos(u), cz = Math.sin(u);
      pos.push((R + r * Math.cos(v)) * cx, r * Math.sin(v), (R + r * Math.cos(v)) * cz);
      nrm.push(Math.cos(v) * cx, Math.sin(v), Math.cos(v) * cz);
      uv.push(i / seg, j / sides);
    }
  }
  for (let j = 0; j < sides; j++) {
    for (let i = 0; i < seg; i++) {
      const a = j * (seg + 1) + i, b = a + 1, c = a + seg + 1, d = c + 1;
      idx.push(a, b, c, b, d, c);
    }
  }
  return { pos, nrm, uv, idx };
}

/** Rounds to 6 decimals so float noise never differs between machines. */
export const q = (x) => Math.round(x * 1e6) / 1e6 + 0;
