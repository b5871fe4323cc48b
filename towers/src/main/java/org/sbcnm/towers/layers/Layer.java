package org.sbcnm.towers.layers;

import java.util.List;
import org.sbcnm.engine.param.Parameter;

/** Something with trainable parameters, named hierarchically ("query.mlp.0.weight"). */
public interface Layer {
  /** The parameters, in a fixed order (the order checkpoints and optimisers use). */
  List<Parameter> parameters();
}
