#ifndef CPIXELMPI_H
#define CPIXELMPI_H

/// MPI loaded at run time: `pixel_mpi_load` `dlopen`s Open MPI 4's `libmpi.so.40` (RTLD_GLOBAL, as its
/// plug-ins need) and resolves the functions below and the predefined handles (`MPI_COMM_WORLD`,
/// `MPI_BYTE`, `MPI_DOUBLE`, `MPI_SUM` are the addresses of the exported globals `ompi_mpi_comm_world`,
/// `ompi_mpi_byte`, `ompi_mpi_double`, `ompi_mpi_op_sum`) with `dlsym`, so neither the build nor a run
/// outside `mpirun` needs MPI. Every other function returns MPI's error code (0 = success), or -1 when the
/// library is not loaded. Counts are `int`, as in MPI; callers check their range.

/// Loads the library (`path`, or `libmpi.so.40` when NULL). Returns 0, or -1 with a reason in `error`.
int pixel_mpi_load(const char *path, char *error, long error_capacity);
/// 1 once `pixel_mpi_load` succeeded.
int pixel_mpi_loaded(void);

int pixel_mpi_init(void);
int pixel_mpi_finalize(void);
int pixel_mpi_rank(int *rank);
int pixel_mpi_size(int *size);
/// MPI_Allgather of `count` bytes per rank into `receive` (`size · count` bytes, rank order).
int pixel_mpi_allgather_bytes(const void *send, int count, void *receive);
/// MPI_Allgatherv of bytes: rank r's `counts[r]` bytes land at `receive + displacements[r]`.
int pixel_mpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts,
                               const int *displacements);
/// MPI_Allreduce (MPI_SUM) of `count` doubles. The order of the sum is MPI's (not rank order).
int pixel_mpi_allreduce_sum_doubles(const double *send, double *receive, int count);
/// MPI_Bcast of `count` bytes from `root`.
int pixel_mpi_bcast_bytes(void *buffer, int count, int root);
int pixel_mpi_barrier(void);
/// MPI_Abort(MPI_COMM_WORLD, code).
int pixel_mpi_abort(int code);
/// MPI_Wtime (seconds), 0 when not loaded.
double pixel_mpi_wtime(void);

#endif
