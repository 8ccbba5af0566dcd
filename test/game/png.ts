/** A small PNG decoder for screenshots (8-bit RGB / RGBA, not interlaced). */
import { inflateSync } from 'node:zlib';

type Pixel = [number, number, number];

export class PNG {
  private constructor(
    readonly width: number,
    readonly height: number,
    private readonly data: Uint8Array,
    private readonly channels: number,
  ) {}

  static decode(buf: Uint8Array): PNG {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = 8;
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat: Uint8Array[] = [];
    while (off < buf.length) {
      const len = view.getUint32(off);
      const type = String.fromCharCode(...buf.subarray(off + 4, off + 8));
      const body = buf.subarray(off + 8, off + 8 + len);
      if (type === 'IHDR') {
        width = view.getUint32(off + 8);
        height = view.getUint32(off + 12);
        const depth = body[8];
        const colour = body[9];
        if (depth !== 8 || (colour !== 2 && colour !== 6) || body[12] !== 0) throw new Error(`png: unsupported format (depth ${depth}, colour ${colour})`);
        channels = colour === 6 ? 4 : 3;
      } else if (type === 'IDAT') idat.push(body);
      else if (type === 'IEND') break;
      off += 12 + len;
    }
    const raw = inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const out = new Uint8Array(stride * height);
    for (let y = 0; y < height; y++) {
      const filter = raw[y * (stride + 1)]!;
      const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? out[y * stride + i - channels]! : 0;
        const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
        const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
        const x = line[i]!;
        let v: number;
        switch (filter) {
          case 0: v = x; break;
          case 1: v = x + a; break;
          case 2: v = x + b; break;
          case 3: v = x + ((a + b) >> 1); break;
          case 4: {
            const p = a + b - c;
            const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
            v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
            break;
          }
          default: throw new Error(`png: bad filter ${filter}`);
        }
        out[y * stride + i] = v & 0xff;
      }
    }
    return new PNG(width, height, out, channels);
  }

  pixel(x: number, y: number): Pixel {
    const i = (y * this.width + x) * this.channels;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  same(p: Pixel, q: Pixel, tolerance: number): boolean {
    return Math.abs(p[0] - q[0]) <= tolerance && Math.abs(p[1] - q[1]) <= tolerance && Math.abs(p[2] - q[2]) <= tolerance;
  }
}
