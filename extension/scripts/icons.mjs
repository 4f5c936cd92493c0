// Draws the Candor icon: an open eye (a white almond with a navy iris and a white glint)
// on a dark navy rounded square, antialiased by 4x4 supersampling. A mark, not a letter,
// so an unrated site's icon never reads as a grade; dark, so that every badge colour the
// browser draws over its corner stands out against it (test/unit/badge.test.js).
// Sizes 16-128.
import { encodePng } from './png.mjs';

export const ICON_SIZES = [16, 32, 48, 128];

export const ICON_BACKGROUND = '#14213D';
export const ICON_MARK = '#FFFFFF';
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const NAVY = rgb(ICON_BACKGROUND);
const WHITE = rgb(ICON_MARK);

// Shape tests in a unit square (0..1), y pointing down.
function roundedSquare(x, y, r = 0.22) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= 0 && x <= 1 && y >= 0 && y <= 1;
}

// The almond: the intersection of two circles, 0.68 wide and 0.42 high, centred.
const HALF_WIDTH = 0.34;
const HALF_HEIGHT = 0.21;
const OFFSET = (HALF_WIDTH ** 2 - HALF_HEIGHT ** 2) / (2 * HALF_HEIGHT);
const RADIUS = OFFSET + HALF_HEIGHT;

function almond(x, y) {
  return Math.hypot(x - 0.5, y - (0.5 - OFFSET)) <= RADIUS && Math.hypot(x - 0.5, y - (0.5 + OFFSET)) <= RADIUS;
}

const iris = (x, y) => Math.hypot(x - 0.5, y - 0.5) <= 0.135;
const glint = (x, y) => Math.hypot(x - 0.54, y - 0.455) <= 0.04;

function colourAt(x, y) {
  if (!roundedSquare(x, y)) return null;
  if (glint(x, y)) return WHITE;
  if (iris(x, y)) return NAVY;
  if (almond(x, y)) return WHITE;
  return NAVY;
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
