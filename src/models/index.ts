/** Models: the study's three architectures and their seeded initialisation. */
export * from './models';
