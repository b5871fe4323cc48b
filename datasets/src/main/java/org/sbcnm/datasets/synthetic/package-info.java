/** Seeded synthetic datasets with power-law popularity and latent tastes. */
package org.sbcnm.datasets.synthetic;
