/** Training: protocols, the seeded training loop and inference timing. */
export * from './protocols';
export * from './train';
export * from './checkpoint';
export * from './cancel';
