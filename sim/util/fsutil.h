/* fsutil.h - small file-system helpers shared by the layers above. */
#ifndef FSUTIL_H
#define FSUTIL_H

/* fs_mkdir_p - create the folder path and its missing parents, like
 * `mkdir -p`; 0, or -1 with errno set ("" is no folder: ENOENT). */
int fs_mkdir_p(const char *path);

#endif
