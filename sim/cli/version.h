/* version.h - the version mtasim prints, records in summary.json and
 * puts on its report pages and man page. */
#ifndef VERSION_H
#define VERSION_H

#define MTASIM_VERSION "0.1.0"

#endif
