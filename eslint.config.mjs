// @ts-check
// Flat ESLint config. Besides typescript-eslint's strict rules it enforces the
// architecture's dependency direction (see README "Layout"): the calendar and the
// engine are pure, the FHIR and CDS Hooks adapters never see Express, and so on.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const noDate = [
  {
    selector: "NewExpression[callee.name='Date']",
    message:
      'Calendar dates only: use CalendarDate, never JS Date (time zones must not enter CDSi).',
  },
  {
    selector: "MemberExpression[object.name='Date']",
    message: 'Calendar dates only: use CalendarDate, never JS Date.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'jest.config.js', 'test/support/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/main.ts', 'src/cli/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
    },
  },
  {
    // The forecast explorer's browser code: plain ES modules with JSDoc types, type-checked by
    // src/explorer/public/tsconfig.json (lib DOM). TypeScript already reports undefined names,
    // and the JSDoc on exported functions is their boundary type.
    files: ['src/explorer/public/**/*.js'],
    languageOptions: { sourceType: 'module' },
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
    },
  },
  {
    files: ['src/calendar/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...noDate],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', 'node:*', 'express', 'ajv', 'fhir-kit-client'],
              message: 'calendar/ imports nothing.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...noDate],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../fhir/*',
                '../cds-hooks/*',
                '../http/*',
                '../rules/*',
                '../cli/*',
                '../config*',
                'node:*',
                'fs',
                'path',
              ],
              message: 'The engine is pure: it may import only calendar/.',
            },
          ],
          paths: ['express', 'ajv', 'fhir-kit-client', 'jsonwebtoken', '@types/fhir'].map(
            (name) => ({
              name,
              message: 'The engine is pure: no I/O, no FHIR, no HTTP.',
            }),
          ),
        },
      ],
    },
  },
  {
    files: ['src/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../fhir/*', '../cds-hooks/*', '../http/*'],
              message: 'rules/ must not depend on adapters.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/fhir/**/*.ts', 'src/cds-hooks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../http/*', 'node:*'], message: 'Adapters do not know about HTTP or I/O.' },
          ],
          paths: ['express', 'jsonwebtoken'].map((name) => ({
            name,
            message: 'Adapters do not know about HTTP.',
          })),
        },
      ],
    },
  },
  prettier,
);
