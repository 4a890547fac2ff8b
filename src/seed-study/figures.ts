/**
 * The numbers the seed study prints, exactly as printed, in one typed object a
 * reviewer can check line by line against the study text. Accuracies in percent,
 * losses as printed, times in seconds, sizes as the study's "Model Size".
 */
export const SEED_FIGURES = Object.freeze({
  cifar10: {
    /** "Both models still have the same size (282,250 parameters)." */
    params: 282250,
    /** "Epoch [1/5] … [5/5]" and "Evaluation: Accuracy … Inference Time …". */
    e5: {
      standard: { accuracy: 29.14, inferenceSeconds: 53.67, lossFirst: 2.2742, lossLast: 2.1364 },
      octization: { accuracy: 40.4, inferenceSeconds: 54.19, lossFirst: 2.1202, lossLast: 1.704 },
    },
    /** "Epoch [1/20] … [20/20]". */
    e20: {
      standard: { accuracy: 33.32, inferenceSeconds: 214.58, lossFirst: 2.2671, lossLast: 1.9121 },
      octization: { accuracy: 51.89, inferenceSeconds: 217.92, lossFirst: 2.1327, lossLast: 1.3204 },
    },
  },
  mnist: {
    /** "Model Size: 101870" (both arms). */
    params: 101870,
    epochs: 20,
    standard: { accuracy: 96.73, testLoss: 0.2253, inferenceSeconds: 27.97 },
    octization: { accuracy: 96.93, testLoss: 0.1858, inferenceSeconds: 27.99 },
  },
  regression: {
    /** "Epoch 1/50: Loss …", "Epoch 50/50: Loss …": training loss (MSE). */
    epochs: 50,
    standard: { lossFirst: 382.4389, lossLast: 156.692 },
    octization: { lossFirst: 98.0795, lossLast: 42.9256 },
  },
});

/** The study's figures, typed. */
export type SeedFigures = typeof SEED_FIGURES;
