package org.sbcnm.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Elementwise;
import org.sbcnm.engine.ops.L2Normalize;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.layers.Mlp;

/**
 * Forward and backward of one 64 → 256 → 128 → 64 MLP tower with L2-normalised output at batch
 * 1024, driven by the loss Σ y ⊙ R (so every backward rule runs). Run with {@code -prof gc}: the
 * steady-state step must allocate (almost) nothing, since the tape recycles every buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TowerStepBenchmark {
  @Param({"simd", "scalar"})
  public String impl;

  @Param({"1", "2"})
  public int threads;

  private final Tape tape = new Tape();
  private Mlp mlp;
  private Tensor x;
  private Tensor r;

  @Setup(Level.Trial)
  public void setUp() {
    KernelChoice.use(impl, threads);
    SplittableRandom rng = new SplittableRandom(1);
    mlp = new Mlp("tower", 64, new int[] {256, 128, 64}, DType.FLOAT32, rng);
    x = Tensor.zeros(1024, 64);
    r = Tensor.zeros(1024, 64);
    for (int i = 0; i < x.size(); i++) {
      x.setFlat(i, rng.nextGaussian());
      r.setFlat(i, rng.nextGaussian());
    }
  }

  @Benchmark
  public float step() {
    for (Parameter p : mlp.parameters()) {
      p.zeroGrad();
    }
    try (Tape t = tape.begin()) {
      Node y = L2Normalize.rows(t, mlp.forward(t, t.constant(x)));
      Node loss = Elementwise.sum(t, Elementwise.mul(t, y, t.constant(r)));
      t.backward(loss);
      return (float) loss.value().getFlat(0);
    }
  }
}
