// Lint rules, including the layering the design requires: a wrong import between areas is an
// error here and in CI, not a review comment.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

const outsideCore = ['**/electron/**', '**/renderer/**', 'electron', 'vue', 'pinia'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'release/**', 'test-artifacts/**', 'assets/**/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // 'essential' (not 'recommended'): layout is Prettier's job, and the two disagree on templates.
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: outsideCore }] },
  },
  {
    // The bottom layer: constants from the published specifications, which every area may import.
    files: ['core/spec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '.', message: 'core/spec is data from the specifications: it imports nothing' }] },
      ],
    },
  },
  {
    files: ['core/hw/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...outsideCore, '**/cloudvisor/**', '**/lab/**', '**/vmm/**', '**/sandbox/**', '../cloudvisor*', '../lab*', '../vmm*', '../sandbox*'] },
      ],
    },
  },
  {
    files: ['core/cloudvisor/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...outsideCore, '**/lab/**', '**/vmm/**', '../lab*', '../vmm*'] }],
    },
  },
  {
    files: ['core/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...outsideCore, '**/hw/**', '**/cloudvisor/**', '**/lab/**', '**/vmm/**'] }],
    },
  },
  {
    files: ['core/vmm/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // The VMM runs inside the sandbox engine: it sees hyp.ts and pure libraries only (the
          // FDT writer builds guest device trees, as Xen links libfdt).
          patterns: [
            ...outsideCore.map((group) => ({ group: [group] })),
            { regex: '(^|/)hw/(?!dtb/fdt-writer$)', message: 'the VMM sees hardware only through hyp.ts' },
            { group: ['**/cloudvisor/**', '**/lab/**', 'node:*', 'fs', 'path', 'crypto'] },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/core/hw/**', '**/core/cloudvisor/**', '**/core/vmm/**', '**/core/sandbox/**'] },
      ],
    },
  },
);
