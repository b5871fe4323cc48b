package org.sbcnm.training.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.sbcnm.engine.kernel.Kernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** Prints the runtime: JDK, kernel implementation, vector width, threads. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "JDK, kernel implementation, vector width and threads.")
final class InfoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "jdk          %s (%s)%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"));
    out.printf(
        "vector api   %s%n",
        Kernels.vectorApiAvailable()
            ? "available"
            : "absent (run with --add-modules jdk.incubator.vector)");
    out.printf("kernels      %s%n", Kernels.implementation());
    out.printf("vector width %d floats (%d bits)%n", Kernels.lanes(), Kernels.lanes() * 32);
    out.printf("threads      %d%n", Kernels.threads());
    out.printf("cpus         %d%n", Runtime.getRuntime().availableProcessors());
    out.printf("max heap     %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
    out.flush();
    return 0;
  }
}
