/**
 * The {@code sbcnm-train} command line: the only package that prints or exits. {@link
 * org.sbcnm.training.cli.Launcher} makes plain {@code java -jar} work by relaunching with the
 * Vector API module; {@link org.sbcnm.training.cli.Main} holds the commands.
 */
package org.sbcnm.training.cli;
