/**
 * ISO 4217 active currency codes and their minor-unit digits (the standard's list one,
 * as amended in 2025: XCG added, ANG/HRK/SLL/ZWL withdrawn). Codes whose minor unit is
 * "N.A." (precious metals, SDR, testing codes) are left out: an amount in them cannot
 * be written as a decimal of fixed precision.
 */
const ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
const THREE = "BHD IQD JOD KWD LYD OMR TND";
const FOUR = "CLF UYW";
const TWO = `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD
BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR
KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR
MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK
SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU
UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`;

function table(): ReadonlyMap<string, number> {
  const m = new Map<string, number>();
  for (const [codes, digits] of [
    [ZERO, 0],
    [TWO, 2],
    [THREE, 3],
    [FOUR, 4],
  ] as const) {
    for (const code of codes.split(/\s+/).filter(Boolean)) m.set(code, digits);
  }
  return m;
}

export const CURRENCY_DECIMALS: ReadonlyMap<string, number> = table();

export const CURRENCY_CODES: readonly string[] = [...CURRENCY_DECIMALS.keys()].sort();

export function isCurrency(code: string): boolean {
  return CURRENCY_DECIMALS.has(code);
}
