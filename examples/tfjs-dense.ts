// A TF.js model's forward pass: Tensor Cost reads TypeScript and JavaScript too.
import * as tf from '@tensorflow/tfjs';

// tensorcost: dims batch=256
const HIDDEN = 1024;

export function mlp(x: tf.Tensor) {
  // tensorcost: shape x=(batch, 784)
  const w1 = tf.randomNormal([784, HIDDEN]);
  const w2 = tf.randomNormal([HIDDEN, 10]);
  return tf.tidy(() => {
    const h = tf.relu(tf.matMul(x, w1));
    return tf.softmax(h.matMul(w2));
  });
}
