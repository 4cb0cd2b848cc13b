// Character-class checks for names, numbers and config words, written without regular
// expressions: the VMM's engine runs with RegExp disabled (QuickJS's regexp engine cannot be
// interrupted, so a backtracking pattern could hang the host), and the VMM must load there.

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isAlnum = (c: number): boolean => isDigit(c) || isLower(c) || (c >= 65 && c <= 90);
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function every(text: string, from: number, test: (c: number) => boolean): boolean {
  for (let i = from; i < text.length; i++) if (!test(text.charCodeAt(i))) return false;
  return true;
}

/** A name: 1..max characters, a letter or digit first, then letters, digits, '.', '_' or '-'. */
export function isName(text: string, max: number): boolean {
  return text.length >= 1 && text.length <= max && isAlnum(text.charCodeAt(0)) &&
    every(text, 1, (c) => isAlnum(c) || c === 46 || c === 95 || c === 45);
}

/** One or more decimal digits. */
export function isDecimal(text: string): boolean {
  return text.length > 0 && every(text, 0, isDigit);
}

/** "0x" followed by one or more hex digits. */
export function isHexLiteral(text: string): boolean {
  return text.length > 2 && text.charCodeAt(0) === 48 && (text.charCodeAt(1) === 120) && every(text, 2, isHexDigit);
}

/** An xl.cfg key: lower-case letters and '_'. */
export function isConfigKey(text: string): boolean {
  return text.length > 0 && every(text, 0, (c) => isLower(c) || c === 95);
}

/** An unquoted config value word: letters, digits and . _ , = : / - */
export function isBareWord(text: string): boolean {
  return text.length > 0 && every(text, 0, (c) => isAlnum(c) || ',._=:/-'.includes(String.fromCharCode(c)));
}
