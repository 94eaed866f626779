// Rounding control (RC, bits 10-11 of the x87 control word) for results ksim's x87 computes in doubles.
//
// IEEE 754 defines four rounding directions: to nearest (ties to even, RC=00), down toward -inf (RC=01),
// up toward +inf (RC=10) and toward zero (RC=11). JavaScript arithmetic always rounds to nearest, so a
// directed result is obtained from the nearest one: q = fl(exact) lies within half an ulp of the exact
// value, hence the directed result is either q itself or q's neighbour on the grid of doubles. Which one
// depends only on the sign of (exact - q). That sign is found exactly here with BigInt arithmetic on the
// operands' dyadic values (m * 2^e), so it also holds for subnormals and huge exponents. Only non-default
// modes pay for it: with RC=00 every function returns the plain JS result at once.
//
// Rounding directed twice in the same direction equals rounding once (each coarser grid is a subset of
// the finer one), so a double computed here with RC and stored later with the same RC as a float32 gives
// what the real x87 gives from its 64-bit significand. Precision control (PC) is not modelled: results
// have the double's 53-bit significand whatever PC says (documented gap of the x87 in x87.ts).

/** The rounding-control field values. */
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const w32 = new Uint32Array(f32.buffer);

/** A finite double as m * 2^e exactly (m a signed BigInt). */
interface Dyadic { m: bigint; e: number }

function dyadic(x: number): Dyadic {
  f64[0] = x;
  const lo = w64[0], hi = w64[1];
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074; // subnormal: no hidden bit
  else { m |= 1n << 52n; e = exp - 1075; }
  return { m: hi >>> 31 ? -m : m, e };
}

/** Sign of x - y for two dyadic values (both brought to the smaller exponent, which is exact). */
function compare(x: Dyadic, y: Dyadic): number {
  const e = Math.min(x.e, y.e);
  const d = (x.m << BigInt(x.e - e)) - (y.m << BigInt(y.e - e));
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}
function add(x: Dyadic, y: Dyadic): Dyadic {
  const e = Math.min(x.e, y.e);
  return { m: (x.m << BigInt(x.e - e)) + (y.m << BigInt(y.e - e)), e };
}
function mul(x: Dyadic, y: Dyadic): Dyadic { return { m: x.m * y.m, e: x.e + y.e }; }

/** The next double above x (x finite or -inf). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  if (x > 0) { if (w64[0] === 0xffffffff) { w64[0] = 0; w64[1]++; } else w64[0]++; }
  else { if (w64[0] === 0) { w64[0] = 0xffffffff; w64[1]--; } else w64[0]--; }
  return f64[0];
}
function nextDown(x: number): number { return -nextUp(-x); }

/**
 * The result in direction rc, given q = the round-to-nearest result and err = the sign of (exact - q).
 * `step(q, up)` moves one grid point (doubles or float32s).
 */
function directed(rc: number, q: number, err: number, step: (v: number, up: boolean) => number): number {
  if (err === 0 || Number.isNaN(q)) return q;
  switch (rc) {
    case RC_DOWN: return err < 0 ? step(q, false) : q;
    case RC_UP: return err > 0 ? step(q, true) : q;
    case RC_ZERO:
      if (q === 0) return q; // |exact| below half the smallest subnormal: zero, with the exact value's sign
      return q > 0 ? (err < 0 ? step(q, false) : q) : (err > 0 ? step(q, true) : q);
    default: return q;
  }
}
const stepDouble = (v: number, up: boolean): number => (up ? nextUp(v) : nextDown(v));

/**
 * The sign of (exact - q) when q is infinite although the exact result is finite (overflow): the exact
 * value is smaller in magnitude, so a directed mode may give the largest finite double instead.
 */
function overflowErr(q: number): number { return q > 0 ? -1 : 1; }

/** a + b rounded per rc. */
export function addRc(rc: number, a: number, b: number): number {
  const q = a + b;
  if (rc === RC_NEAREST || !Number.isFinite(a) || !Number.isFinite(b)) return q;
  if (!Number.isFinite(q)) return directed(rc, q, overflowErr(q), stepDouble);
  // An exact zero sum is +0 in every mode but down, where it is -0 (unless both operands are +0).
  if (q === 0 && a === -b) return rc === RC_DOWN && !(Object.is(a, 0) && Object.is(b, 0)) ? -0 : q;
  return directed(rc, q, compare(add(dyadic(a), dyadic(b)), dyadic(q)), stepDouble);
}

/** a - b rounded per rc. */
export function subRc(rc: number, a: number, b: number): number {
  return rc === RC_NEAREST ? a - b : addRc(rc, a, -b);
}

/** a * b rounded per rc. */
export function mulRc(rc: number, a: number, b: number): number {
  const q = a * b;
  if (rc === RC_NEAREST || !Number.isFinite(a) || !Number.isFinite(b)) return q;
  if (!Number.isFinite(q)) return directed(rc, q, overflowErr(q), stepDouble);
  return directed(rc, q, compare(mul(dyadic(a), dyadic(b)), dyadic(q)), stepDouble);
}

/** a / b rounded per rc. */
export function divRc(rc: number, a: number, b: number): number {
  const q = a / b;
  if (rc === RC_NEAREST || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return q;
  if (!Number.isFinite(q)) return directed(rc, q, overflowErr(q), stepDouble);
  // a/b - q has the sign of (a - q*b) times the sign of b; a - q*b is computed exactly.
  const s = compare(dyadic(a), mul(dyadic(q), dyadic(b)));
  return directed(rc, q, b > 0 ? s : -s, stepDouble);
}

/** sqrt(a) rounded per rc. */
export function sqrtRc(rc: number, a: number): number {
  const q = Math.sqrt(a);
  if (rc === RC_NEAREST || !Number.isFinite(q) || q === 0) return q;
  return directed(rc, q, compare(dyadic(a), mul(dyadic(q), dyadic(q))), stepDouble);
}

/** The signed 64-bit integer hi:lo (fild m64) as a double rounded per rc. */
export function int64Rc(rc: number, hi: number, lo: number): number {
  const q = (hi | 0) * 4294967296 + (lo >>> 0);
  if (rc === RC_NEAREST) return q;
  const exact: Dyadic = { m: (BigInt(hi | 0) << 32n) + BigInt(lo >>> 0), e: 0 };
  return directed(rc, q, compare(exact, dyadic(q)), stepDouble);
}

/** The float32 grid's neighbour of v (v a float32 value, possibly infinite). */
function stepFloat32(v: number, up: boolean): number {
  if (v === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32[0] = v;
  if ((v > 0) === up) w32[0]++; else w32[0]--;
  return f32[0];
}

/** A double converted to float32 (fst m32) rounded per rc. */
export function toFloat32Rc(rc: number, v: number): number {
  const q = Math.fround(v);
  if (rc === RC_NEAREST || !Number.isFinite(v)) return q;
  if (!Number.isFinite(q)) return directed(rc, q, overflowErr(q), stepFloat32);
  return directed(rc, q, compare(dyadic(v), dyadic(q)), stepFloat32);
}
