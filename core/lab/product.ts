// The product's name and version, from package.json at build time.
import pkg from '../../package.json';

export const PRODUCT_NAME = 'CloudVisor Lab';
export const PRODUCT_VERSION: string = pkg.version;
