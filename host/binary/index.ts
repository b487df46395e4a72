export type * from './ast.ts';
export { canonSort } from './ast.ts';
export { parseComponent, isCoreModule } from './parse.ts';
