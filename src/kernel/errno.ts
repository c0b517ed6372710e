// The errnos the modelled paths return (include/uapi/asm-generic/errno-base.h).

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const EOVERFLOW = 75;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [ESRCH]: 'ESRCH', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM',
  [EFAULT]: 'EFAULT', [EBUSY]: 'EBUSY', [EEXIST]: 'EEXIST', [ENODEV]: 'ENODEV',
  [EINVAL]: 'EINVAL', [ENOSPC]: 'ENOSPC', [EOVERFLOW]: 'EOVERFLOW',
};

/** "-ENOMEM" for -12; "0" for success. */
export function errnoName(ret: number): string {
  if (ret === 0) return '0';
  const name = NAMES[-ret];
  return name ? `-${name}` : String(ret);
}
