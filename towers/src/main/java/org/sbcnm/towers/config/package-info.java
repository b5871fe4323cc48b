/** Model and tower configurations: records whose constructors check every range. */
package org.sbcnm.towers.config;
