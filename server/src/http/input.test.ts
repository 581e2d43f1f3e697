import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { around, nearMiss, residentIdentifier } from "../../test-support/resident-data.ts";
import { personalDataProblem, validResidentId } from "./input.ts";

describe("the free-text guard (personalDataProblem)", () => {
  it("finds resident ID numbers, mobile and landline numbers embedded in any text", () => {
    fc.assert(
      fc.property(around(residentIdentifier), (text) => {
        expect(personalDataProblem(text), text).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("lets through what staff write that is no one's number: wrong check digits, grid codes, dates, counts", () => {
    fc.assert(
      fc.property(fc.array(around(nearMiss), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.join("，");
        expect(personalDataProblem(text), text).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("checks the ID's MOD 11-2 character, X included, and reads full-width digits", () => {
    expect(validResidentId("11010519491231002X")).toBe(true);
    expect(validResidentId("110105194912310021")).toBe(false);
    expect(personalDataProblem("户主身份证11010519491231002x")?.en).toBe("an ID number");
    expect(personalDataProblem("电话１３８００１３８０００")?.en).toBe("a mobile phone number");
    expect(personalDataProblem("座机(0475)8231234")?.en).toBe("a phone number");
    expect(personalDataProblem("网格150571003003001，共36户，2026-12-01 走访")).toBeNull();
    // A first-generation 15-digit card looks like a grid code, and is let through on purpose (docs/privacy.md).
    expect(personalDataProblem("150571850101123")).toBeNull();
  });
});
