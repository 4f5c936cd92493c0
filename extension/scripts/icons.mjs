// Draws the Candor icon: a rounded square in Okabe-Ito blue holding a white "C" ring
// with a small check-coloured dot, antialiased by 4x4 supersampling. Sizes 16-128.
import { encodePng } from './png.mjs';

export const ICON_SIZES = [16, 32, 48, 128];

const BLUE = [0x00, 0x72, 0xb2];
const WHITE = [0xff, 0xff, 0xff];
const GREEN = [0x00, 0x9e, 0x73];

// Shape tests in a unit square (0..1), y pointing down.
function roundedSquare(x, y, r = 0.2) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= 0 && x <= 1 && y >= 0 && y <= 1;
}

function ring(x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const d = Math.hypot(dx, dy);
  if (d < 0.2 || d > 0.34) return false;
  // The opening of the "C", on the right.
  const angle = Math.atan2(dy, dx);
  return Math.abs(angle) > Math.PI / 4.2;
}

function dot(x, y) {
  return Math.hypot(x - 0.72, y - 0.5) <= 0.075;
}

function colourAt(x, y) {
  if (!roundedSquare(x, y)) return null;
  if (ring(x, y)) return WHITE;
  if (dot(x, y)) return GREEN;
  return BLUE;
}

export function drawIcon(size) {
  const samples = 4;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            a += 1;
          }
        }
      }
      const o = (py * size + px) * 4;
      if (a) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
        rgba[o + 3] = Math.round((255 * a) / (samples * samples));
      }
    }
  }
  return encodePng(size, size, rgba);
}
