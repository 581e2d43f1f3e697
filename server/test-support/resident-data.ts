import fc from "fast-check";

/** The check character of 17 digits under ISO 7064 MOD 11-2 (GB 11643-1999). */
export function idCheck(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + w[i]! * Number(d), 0);
  return "10X98765432"[sum % 11]!;
}

const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
const area = fc.constantFrom("150571", "150502", "110105", "440305", "152301");
const birth = fc
  .date({ min: new Date("1920-01-01"), max: new Date("2025-12-31"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).replaceAll("-", ""));

/** A resident ID number with a valid check character, in one run or grouped 6 8 4, sometimes a lower-case x. */
export const residentId = fc
  .tuple(area, birth, digits(3), fc.constantFrom("", " "), fc.boolean())
  .map(([a, b, s, sep, lower]) => {
    const check = idCheck(a + b + s);
    return `${a}${sep}${b}${sep}${s}${lower ? check.toLowerCase() : check}`;
  });

/** A mobile number, as people write it: plain, grouped by spaces or dashes, with +86, 86 or (+86). */
export const mobile = fc
  .tuple(
    fc.constantFrom(..."3456789"),
    digits(9),
    fc.constantFrom("", " ", "-"),
    fc.constantFrom("", "+86", "+86 ", "86", "(+86)", "0086"),
  )
  .map(
    ([second, rest, sep, prefix]) =>
      `${prefix}1${second}${rest.slice(0, 2)}${sep}${rest.slice(2, 6)}${sep}${rest.slice(6)}`,
  );

/** A landline: 0475-1234567, (0475)1234567, 010 12345678, 04751234567. */
export const landline = fc
  .tuple(fc.constantFrom("0475", "010", "021", "0471"), digits(7), fc.constantFrom("-", " ", "()", "（）", ""))
  .map(([code, n, style]) => {
    const local = code.length === 3 ? `${n}${n[0]}` : n;
    if (style === "()" || style === "（）") return `${style[0]}${code}${style[1]}${local}`;
    return `${code}${style}${local}`;
  });

/** Anything the free-text guard must refuse. */
export const residentIdentifier = fc.oneof(residentId, mobile, landline);

/** Numbers staff write that are no one's identifier, which the guard must let through. */
export const nearMiss = fc.oneof(
  // 18 digits whose check character is wrong
  fc.tuple(area, birth, digits(3), fc.integer({ min: 1, max: 10 })).map(([a, b, s, k]) => {
    const right = "10X98765432".indexOf(idCheck(a + b + s));
    return `${a}${b}${s}${"10X98765432"[(right + k) % 11]}`;
  }),
  // grid and community codes
  fc.integer({ min: 1, max: 11 }).map((c) => `150571003${String(c).padStart(3, "0")}`),
  fc
    .tuple(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 40 }))
    .map(([c, g]) => `150571003${String(c).padStart(3, "0")}${String(g).padStart(3, "0")}`),
  // dates, household counts, building numbers, times
  fc
    .date({ min: new Date("2000-01-01"), max: new Date("2030-12-31"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc
    .date({ min: new Date("2000-01-01"), max: new Date("2030-12-31"), noInvalidDate: true })
    .map((d) => `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`),
  fc.integer({ min: 0, max: 5000 }).map((n) => `${n}户`),
  fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9 })).map(([b, e]) => `${b}号楼${e}单元`),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${h}:${String(m).padStart(2, "0")}`),
);

/** Words between numbers: Chinese and Latin letters, punctuation and spaces, never a digit. */
export const words = fc.string({
  unit: fc.constantFrom(..."走访入户平房民主路矛盾纠纷排查楼道堆物 abcXYZ，。、；:"),
  maxLength: 12,
});

/** Random text with `token` inside it, set apart from other numbers by at least one word character. */
export const around = (token: fc.Arbitrary<string>) =>
  fc.tuple(words, token, words).map(([a, t, b]) => `${a}号${t}处${b}`);
