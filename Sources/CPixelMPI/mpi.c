#include "CPixelMPI.h"

#include <dlfcn.h>
#include <stdio.h>

// MPI's handles are pointers in Open MPI; the shim never dereferences them.
typedef void *handle;

static struct {
    int loaded;
    int (*init)(int *, char ***);
    int (*finalize)(void);
    int (*comm_rank)(handle, int *);
    int (*comm_size)(handle, int *);
    int (*allgather)(const void *, int, handle, void *, int, handle, handle);
    int (*allgatherv)(const void *, int, handle, void *, const int *, const int *, handle, handle);
    int (*allreduce)(const void *, void *, int, handle, handle, handle);
    int (*bcast)(void *, int, handle, int, handle);
    int (*barrier)(handle);
    int (*abort_)(handle, int);
    double (*wtime)(void);
    handle comm_world, byte, double_, sum;
} mpi;

static int resolve(void *library, const char *name, void **slot, char *error, long capacity) {
    *slot = dlsym(library, name);
    if (*slot == NULL) {
        snprintf(error, (size_t)capacity, "%s has no symbol %s", "libmpi", name);
        return -1;
    }
    return 0;
}

int pixel_mpi_load(const char *path, char *error, long error_capacity) {
    if (mpi.loaded) return 0;
    const char *name = path ? path : "libmpi.so.40";
    void *library = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, (size_t)error_capacity, "cannot load %s: %s", name, reason ? reason : "unknown reason");
        return -1;
    }
    struct {
        const char *name;
        void **slot;
    } symbols[] = {
        {"MPI_Init", (void **)&mpi.init},
        {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank},
        {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Allgather", (void **)&mpi.allgather},
        {"MPI_Allgatherv", (void **)&mpi.allgatherv},
        {"MPI_Allreduce", (void **)&mpi.allreduce},
        {"MPI_Bcast", (void **)&mpi.bcast},
        {"MPI_Barrier", (void **)&mpi.barrier},
        {"MPI_Abort", (void **)&mpi.abort_},
        {"MPI_Wtime", (void **)&mpi.wtime},
        {"ompi_mpi_comm_world", &mpi.comm_world},
        {"ompi_mpi_byte", &mpi.byte},
        {"ompi_mpi_double", &mpi.double_},
        {"ompi_mpi_op_sum", &mpi.sum},
    };
    for (unsigned long k = 0; k < sizeof symbols / sizeof symbols[0]; k++) {
        if (resolve(library, symbols[k].name, symbols[k].slot, error, error_capacity) != 0) {
            dlclose(library);
            return -1;
        }
    }
    mpi.loaded = 1;
    return 0;
}

int pixel_mpi_loaded(void) { return mpi.loaded; }

int pixel_mpi_init(void) { return mpi.loaded ? mpi.init(NULL, NULL) : -1; }

int pixel_mpi_finalize(void) { return mpi.loaded ? mpi.finalize() : -1; }

int pixel_mpi_rank(int *rank) { return mpi.loaded ? mpi.comm_rank(mpi.comm_world, rank) : -1; }

int pixel_mpi_size(int *size) { return mpi.loaded ? mpi.comm_size(mpi.comm_world, size) : -1; }

int pixel_mpi_allgather_bytes(const void *send, int count, void *receive) {
    if (!mpi.loaded) return -1;
    return mpi.allgather(send, count, mpi.byte, receive, count, mpi.byte, mpi.comm_world);
}

int pixel_mpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts,
                               const int *displacements) {
    if (!mpi.loaded) return -1;
    return mpi.allgatherv(send, count, mpi.byte, receive, counts, displacements, mpi.byte, mpi.comm_world);
}

int pixel_mpi_allreduce_sum_doubles(const double *send, double *receive, int count) {
    if (!mpi.loaded) return -1;
    return mpi.allreduce(send, receive, count, mpi.double_, mpi.sum, mpi.comm_world);
}

int pixel_mpi_bcast_bytes(void *buffer, int count, int root) {
    return mpi.loaded ? mpi.bcast(buffer, count, mpi.byte, root, mpi.comm_world) : -1;
}

int pixel_mpi_barrier(void) { return mpi.loaded ? mpi.barrier(mpi.comm_world) : -1; }

int pixel_mpi_abort(int code) { return mpi.loaded ? mpi.abort_(mpi.comm_world, code) : -1; }

double pixel_mpi_wtime(void) { return mpi.loaded ? mpi.wtime() : 0; }
